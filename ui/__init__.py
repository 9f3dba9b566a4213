"""The Qt layer: windows, dialogs, table models and a thin operations layer over core services."""
