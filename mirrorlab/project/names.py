"""The replication targets' names, importable without pandas (``mirrorlab --help`` stays fast).
``mirrorlab.project.targets`` checks that it defines exactly these."""

TARGET_NAMES = ("glaser1984-pwi", "howard2006-csi", "pratte2010-stroop", "stark2024-csi")
