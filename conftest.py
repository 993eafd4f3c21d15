import os

# scikit-learn runs its array-API input check only when SciPy's array API
# support is switched on, which has to happen before SciPy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
