"""passnum — piloter un programme Pass numérique de bout en bout."""
