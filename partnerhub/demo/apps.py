from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The deterministic demo (``seed_demo``): sits above every app, whose services it calls to build its data."""

    name = "partnerhub.demo"
    label = "demo"
