"""labelwatch dashboard entry point: `labelwatch dashboard` or `streamlit run dashboard/app.py`."""

import streamlit as st

from dashboard import data
from dashboard.i18n import _, picker

st.set_page_config(page_title="labelwatch", layout="wide")
with st.sidebar:
    picker()
pages = [
    st.Page("views/availability.py", title=_("Availability"), default=True, url_path="availability"),
    st.Page("views/pretender.py", title=_("Pre-tender check"), url_path="pretender"),
    st.Page("views/trends.py", title=_("Trends"), url_path="trends"),
    st.Page("views/expiry.py", title=_("Expiry"), url_path="expiry"),
    st.Page("views/offers.py", title=_("Offers"), url_path="offers"),
    st.Page("views/device.py", title=_("One device"), url_path="device"),
    st.Page("views/crawls.py", title=_("Crawls"), url_path="crawls"),
]
with data.one_connection():
    st.navigation(pages).run()
