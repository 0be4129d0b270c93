"""The open-data JSON API under ``/api/v1/`` (Django Ninja): see ``main.py``."""
