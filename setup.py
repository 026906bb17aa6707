"""Maps the root-level personas/ and scenarios/ folders into the installed package.

Trainers edit the built-in library at the repository root; a plain ``pip install .`` must still
ship it, so the folders are installed as ``collectsim/library/personas`` and ``.../scenarios``.
"""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
LIBRARY = {
    name: folder
    for name, folder in {
        "collectsim.library.personas": "personas",
        "collectsim.library.scenarios": "scenarios",
        "collectsim.library.scenarios.tests": "scenarios/tests",
    }.items()
    if (HERE / folder).is_dir()
}

setup(
    packages=[*find_packages("src"), *LIBRARY],
    package_dir={"": "src", **LIBRARY},
    package_data={
        "collectsim": ["data/*.yaml", "tui/*.tcss"],
        **{name: ["*.yaml"] for name in LIBRARY},
    },
    include_package_data=False,
)
