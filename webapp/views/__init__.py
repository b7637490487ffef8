"""The routers of the application, one module per group of users."""
