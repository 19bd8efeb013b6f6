"""Evaluation of farmwatch's components against corpora with ground truth."""
