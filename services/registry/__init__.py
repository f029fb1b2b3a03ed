"""The registry service: which regions are enrolled in the action, and by which responsible ministry."""
