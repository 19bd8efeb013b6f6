"""Copy farmwatch/report.py into the client (the report's types, served by the API as they are)."""

from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = (
    "# A copy of farmwatch/report.py, the report's types as the API serves them: run clients/python/sync_models.py\n"
    "# after changing it (tests/test_client.py checks the copy has not drifted).\n"
)

if __name__ == "__main__":
    source = (HERE.parents[1] / "farmwatch" / "report.py").read_text()
    (HERE / "farmwatch_client" / "report.py").write_text(HEADER + source)
