"""Crawl runs per source: status, counts and failure reasons."""

import streamlit as st

from dashboard import data
from store.db import DatabaseLocked

path = data.database()
version = data.version(path)
st.title("Crawls")
if version is None:
    st.info("Not crawled yet: no database at this path.")
    st.stop()
try:
    runs = data.runs(str(path), version)
except DatabaseLocked:
    st.warning("The database is busy (a crawl is loading). Reload in a moment.")
    st.stop()
st.dataframe(runs, hide_index=True, width="stretch")
