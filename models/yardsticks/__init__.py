"""Descriptive yardsticks that a process model's fit is read against: a per-condition
ex-Gaussian (ceiling of a condition-means account) and a drift-diffusion model (pyddm)."""
