"""Product identity at registry size, and its quality on the labelled real pairs.

Usage: python -m bench.products              the registry-size database of bench.history (one
                                             EPEAT run of 250,000 rows, one TCO run of 100,000
                                             GTINs: 386,377 records)
       python -m bench.products synthetic N  N distinct label models (a stress test)

Each step in its own process on a copy of the database, under a load's memory limit: the first
link (every model key and candidate computed, as for a database of an older labelwatch), a re-link with
nothing changed (what most loads do), and a re-link after 1 % new models (keys and candidates of
the new ones only). Prints wall time, peak RSS, members, products and candidates, then precision
and recall on the labelled set.

The synthetic models are the real names of tests/fixtures/products/labelled_pairs.csv with their
numbers changed, a third of them also written by a second source in another spelling and a tenth
sharing a GTIN: far more alike than a registry's models (candidates for every other model, where
the registry-size data has one for 700), so its candidate search is the worst case.
"""

import csv
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.measure import measure
from store.products.quality import PRECISION_TARGET, RECALL_TARGET
from store.products.quality import measure as quality

PAIRS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "products" / "labelled_pairs.csv"
SOURCES = ("tco", "epeat", "energystar", "eprel")

BUILD = """
import sys, duckdb
from store.schema import ensure_schema
db, rows = sys.argv[1], sys.argv[2]
ensure_schema(__import__("pathlib").Path(db))
con = duckdb.connect(db)
con.execute(f'''
    INSERT INTO current_certification (source, record_key, label, level, category, brand_normalised, model_key, model,
                                       model_id, gtins_hash, registry_id)
    SELECT source, record_key, label, '1', category, brand, lower(model), model, hash(brand, lower(model)),
           CASE WHEN gtin IS NULL THEN NULL ELSE hash(source, gtin) END, registry_id
    FROM read_csv('{rows}', header = true, all_varchar = true)''')
con.execute(f'''
    INSERT INTO current_gtin SELECT source, hash(source, gtin), gtin
    FROM read_csv('{rows}', header = true, all_varchar = true) WHERE gtin IS NOT NULL''')
con.close()
"""

RELINK = """
import sys, time, duckdb
from store.load import LOAD_MEMORY_LIMIT
from store.products.link import relink
con = duckdb.connect(sys.argv[1])
con.execute(f"SET memory_limit = '{LOAD_MEMORY_LIMIT}'")  # as in a load, whose transaction re-links
started = time.perf_counter()
con.execute("BEGIN TRANSACTION")
counts = relink(con)
con.execute("COMMIT")
counts.update(dict(con.execute(
    "SELECT 'members', count(*) FROM product_member UNION ALL SELECT 'products', count(DISTINCT product_id) FROM product_member"
    " UNION ALL SELECT 'candidates', count(*) FROM product_candidate").fetchall()))
print("RESULT", time.perf_counter() - started, *(f"{k}={v}" for k, v in counts.items()), sep="|")
"""

ADD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute('''
    INSERT INTO current_certification (source, record_key, label, level, category, brand_normalised, model_key, model,
                                       model_id)
    SELECT source, record_key || '-new', label, level, category, brand_normalised, model_key || ' new' || $n,
           model || ' New' || $n, hash(brand_normalised, model_key || ' new' || $n)
    FROM current_certification USING SAMPLE 1 PERCENT (reservoir, 7)''', {"n": "1"})
con.close()
"""


def _templates() -> list[tuple[str, str]]:
    """(brand, name) of every real name in the labelled set."""
    found = set()
    with PAIRS.open(newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            found.add((row["a_brand"], row["a_name"]))
            found.add((row["b_brand"], row["b_name"]))
    return sorted(found)


def _renumbered(name: str, rng: random.Random) -> str:
    """A real name with its numbers replaced: another model written the same way."""
    return re.sub(r"\d+", lambda m: str(rng.randrange(10 ** (len(m.group()) - 1), 10 ** len(m.group()))), name)


def generate(members: int, path: Path) -> None:
    """A CSV of current label models: source, record_key, label, category, brand, model, gtin, registry_id."""
    rng = random.Random(20261201)
    templates = _templates()
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["source", "record_key", "label", "category", "brand", "model", "gtin", "registry_id"])
        written = 0
        while written < members:
            brand, name = rng.choice(templates)
            model = _renumbered(name, rng)
            source = rng.choice(SOURCES)
            gtin = f"{rng.randrange(10**13):014d}" if rng.random() < 0.1 else None
            writer.writerow([source, f"r{written}", source, "display", brand, model, gtin, f"{written}"])
            written += 1
            if rng.random() < 0.33 and written < members:  # the same model in another source, spelled otherwise
                other = rng.choice([s for s in SOURCES if s != source])
                spelled = f"{brand} {model} 24 inch Monitor" if rng.random() < 0.5 else model.upper()
                writer.writerow([other, f"r{written}", other, "display", brand, spelled, gtin, None])
                written += 1


UNLINKED = """
import sys, duckdb
from pathlib import Path
from store.schema import ensure_schema
ensure_schema(Path(sys.argv[1]))  # the current tables brought to this schema (the products linked too)
con = duckdb.connect(sys.argv[1])
for table in ("product_member", "product_candidate", "product_state"):
    con.execute(f"DELETE FROM {table}")  # as if never linked
con.close()
"""


def _steps(db: Path) -> None:
    """Time the first link, a re-link with nothing changed and one after 1 % new models."""
    subprocess.run([sys.executable, "-c", UNLINKED, str(db)], check=True)
    for step, extra in (
        ("first link", None),
        ("re-link, nothing changed", None),
        ("re-link after 1 % new models", ADD),
    ):
        if extra:
            subprocess.run([sys.executable, "-c", extra, str(db)], check=True)
        wall, rss, output = measure([sys.executable, "-c", RELINK, str(db)])
        result = next(line for line in output.splitlines() if line.startswith("RESULT"))
        _, seconds, *counts = result.split("|")
        print(
            f"{step}: {float(seconds):.1f} s ({wall:.1f} s with the process), peak {rss:.0f} MiB; {', '.join(counts)}"
        )


def registry_size() -> None:
    from bench.history import base_database

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "lw.duckdb"
        shutil.copy(base_database(250_000, 100_000), db)
        print("registry-size database (bench.history: EPEAT 250,000 rows, TCO 100,000 GTINs):")
        _steps(db)


def synthetic(members: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rows, db = Path(tmp) / "models.csv", Path(tmp) / "products.duckdb"
        generate(members, rows)
        subprocess.run([sys.executable, "-c", BUILD, str(db), str(rows)], check=True)
        print(f"synthetic: {members:,} label models:")
        _steps(db)


def labelled() -> None:
    q = quality(PAIRS)
    print(
        f"labelled real pairs: {q.pairs} ({q.unsure} unsure left out, {q.same} same); automatic links {q.linked}, "
        f"precision {q.precision:.3f} (target {PRECISION_TARGET}); recall {q.recall_linked:.3f} automatic, "
        f"{q.recall_with_candidates:.3f} with candidates (target {RECALL_TARGET}); "
        f"candidates that are different devices: {q.candidates_different}"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["synthetic"]:
        synthetic(int(sys.argv[2]) if len(sys.argv) > 2 else 400_000)
    else:
        registry_size()
    labelled()
