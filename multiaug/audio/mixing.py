"""mixing audio augmenters."""

__all__: list[str] = []
