"""erasing image augmenters."""

__all__: list[str] = []
