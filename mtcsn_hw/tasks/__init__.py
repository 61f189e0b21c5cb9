"""Tasks: data generation, task definitions (inputs/targets/splits) and metrics."""
