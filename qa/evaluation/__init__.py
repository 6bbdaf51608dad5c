"""Measuring the service: the question sets and their metrics (``questions``), BEIR
folders, distractor corpora and ``qa bench``."""
