# Stubs for django-rules 3.5 (``rules``): the package ships py.typed, but its ``predicate`` decorator and ``RuleSet``
# are unannotated, so under mypy --strict every predicate would be untyped. Only what PartnerHub uses is here.
from .permissions import add_perm as add_perm
from .permissions import has_perm as has_perm
from .permissions import perm_exists as perm_exists
from .permissions import remove_perm as remove_perm
from .permissions import set_perm as set_perm
from .predicates import Predicate as Predicate
from .predicates import predicate as predicate
from .rulesets import RuleSet as RuleSet
from .rulesets import add_rule as add_rule
from .rulesets import remove_rule as remove_rule
from .rulesets import rule_exists as rule_exists
from .rulesets import set_rule as set_rule
from .rulesets import test_rule as test_rule

VERSION: tuple[int, int, int, str, int]
