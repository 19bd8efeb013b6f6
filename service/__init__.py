"""The farmwatch HTTP API (FastAPI)."""
