"""Queue consumers that fetch pages and run them through the pipeline."""
