"""Exports for outreach teams, signal partners and CBS, and the import of filled-in task lists."""
