"""Realistic bilingual demo data for first start, screenshots, tests and benchmarks."""
