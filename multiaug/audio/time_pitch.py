"""time_pitch audio augmenters."""

__all__: list[str] = []
