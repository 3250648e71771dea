"""Every topic the workers serve, one module per topic. Importing this package registers them.

A new handler: a module here with ``@registry.topic("my-topic")`` on a function of one
pydantic model (its fields' aliases are the variables fetched); everything it uses
besides its input is a keyword-only parameter named after a component of the
composition root, e.g. ``def handle(data: MyInput, *, database: Engine, notifier: Notifier)``.
riec.app binds them when the worker starts (see riec.app for the list and for adding
a new kind of dependency); a unit test calls the function with fakes as keywords.
Import the module below.
"""
from riec.runtime import Registry

registry = Registry()

from riec.handlers import hit_no_hit, signal_validation  # noqa: E402,F401  (registration side effect)
from riec.handlers import (  # noqa: E402,F401  (the case and police-request processes, docs/case-process.md)
    case_init,
    form_validation,
    necessity_record,
    notify_overdue,
    own_initiative_link,
    police_checks,
    police_decision,
    police_request_send,
)
from riec.letters import handler as refusal_letter  # noqa: E402,F401  (the refusal letter, R-4.1-refuse, issue 10)
from riec.handlers import provision  # noqa: E402,F401  (the provision step and the data vault, issue 10)
from riec.handlers import intervention  # noqa: E402,F401  (the case analysis and intervention, R-7.1, issue 10)
from riec.handlers import onward  # noqa: E402,F401  (onward provision, R-6.2 / R-6.3, issue 12)
from riec.handlers import destruction  # noqa: E402,F401  (destruction and the retention sweep, R-7.1, issue 11)
