"""mixing image augmenters."""

__all__: list[str] = []
