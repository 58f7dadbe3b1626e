"""Scheduling exam sessions (考试场次) and the organiser's acts on them: extending time, sweeping."""
