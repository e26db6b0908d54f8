"""labelwatch dashboard entry point: `labelwatch dashboard` or `streamlit run dashboard/app.py`."""

import streamlit as st

st.set_page_config(page_title="labelwatch", layout="wide")
pages = [
    st.Page("pages/availability.py", title="Availability", default=True),
    st.Page("pages/pretender.py", title="Pre-tender check"),
    st.Page("pages/trends.py", title="Trends"),
    st.Page("pages/expiry.py", title="Expiry"),
    st.Page("pages/offers.py", title="Offers"),
    st.Page("pages/crawls.py", title="Crawls"),
]
st.navigation(pages).run()
