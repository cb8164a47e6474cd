"""The reform measures, one module per family; each rule is ``(Process, Params) -> (Process, [AuditEntry])``.

Luoyang's plan (洛政办〔2017〕89号), plan 1 section 三, and plan 4:

- :mod:`~rules.measures.cleanup` — cancel items without a legal basis, narrow the scope of others (三(一));
- :mod:`~rules.measures.merging` — merge items of one department, merge small government projects' early
  approvals (三(一), 三(三));
- :mod:`~rules.measures.materials` — cancel unnecessary materials, share repeated ones online (三(一));
- :mod:`~rules.measures.commitment` — the commitment system for filed FTZ projects (三(二));
- :mod:`~rules.measures.online` — online parallel approval and promised limits (三(五));
- :mod:`~rules.measures.facilitation` — 容缺办理 and 代建制 (三(四));
- :mod:`~rules.measures.services` — intermediary services and utility hookups (plan 1 二/三(一), plan 4).

The national reform of 2019 (国办发〔2019〕11号): :mod:`~rules.measures.national_2019` (four stages, institutional
changes, notification commitment, one form, amended limits) and :mod:`~rules.measures.joint_work` (joint review
and acceptance, regional and combined assessments).

Where the catalog does not say what a rule needs (which items lack a legal basis, which documents repeat), the
rule takes it as an explicit parameter and the scenario file says where each value comes from (source id) or
that it is assumed. Each family's policy source and the rules' defaults are data: ``rules/data/policy.yaml``.
Importing this package registers every rule (:mod:`rules.rulebook` looks them up by name). docs/rules.md.
"""

from rules.measures import (
    cleanup,
    commitment,
    facilitation,
    joint_work,
    materials,
    merging,
    national_2019,
    online,
    services,
)
from rules.measures.merging import merged_ids

FAMILIES = (
    cleanup,
    merging,
    materials,
    commitment,
    online,
    facilitation,
    services,
    national_2019,
    joint_work,
)

__all__ = ["FAMILIES", "merged_ids"]
