"""Synthetic municipality generator: demo and test data in the partners' real formats."""

from synthetic.generator import GenerationSummary, generate

__all__ = ["GenerationSummary", "generate"]
