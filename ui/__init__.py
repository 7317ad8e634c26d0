"""Streamlit glue shared by the pages: language, connection, viewer and filters."""
