"""collectsim: practise debt-collection calls against rule-driven debtor personas."""

__version__ = "0.1.0"
