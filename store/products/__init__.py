"""Product identity: which label records and offers, across sources, are the same device
(keys.py: model keys; pairs.py: automatic links and candidates; decisions.py: analysts'
decisions; link.py: the grouping each load rebuilds)."""
