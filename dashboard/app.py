"""labelwatch dashboard entry point: `labelwatch dashboard` or `streamlit run dashboard/app.py`."""

import streamlit as st

from dashboard import data

st.set_page_config(page_title="labelwatch", layout="wide")
pages = [
    st.Page("views/availability.py", title="Availability", default=True),
    st.Page("views/pretender.py", title="Pre-tender check"),
    st.Page("views/trends.py", title="Trends"),
    st.Page("views/expiry.py", title="Expiry"),
    st.Page("views/offers.py", title="Offers"),
    st.Page("views/crawls.py", title="Crawls"),
]
with data.one_connection():
    st.navigation(pages).run()
