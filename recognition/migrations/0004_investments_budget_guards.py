"""The budget invariants, held by the database whatever writes the rows (issue 15).

- An allocation's currency is its budget's, and the allocations of a budget never add up to more than it.
- A budget's amount never drops below what is allocated from it, and its currency never changes under allocations.

Each is a constraint trigger (checked at the end of every statement; DEFERRABLE, so a transaction that moves money
between partners may check once at commit). Each locks the budget row first (``FOR UPDATE``), so two transactions
allocating from one budget at once are checked one after the other, the second seeing the first's rows: no race
adds two allocations that each fit alone. A violation raises ``check_violation`` (SQLSTATE 23514, an
IntegrityError in Django) naming the constraint. Under row-level security the trigger reads with the caller's tenant
setting: an allocation and its budget share a tenant (checked here too), so the sum sees every row it must.
"""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION recognition_allocation_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    budget_amount numeric;
    budget_currency text;
    budget_tenant bigint;
    total numeric;
BEGIN
    SELECT amount, currency, tenant_id INTO budget_amount, budget_currency, budget_tenant
        FROM recognition_budget WHERE id = NEW.budget_id FOR UPDATE;
    IF NOT FOUND OR budget_tenant <> NEW.tenant_id THEN
        RAISE EXCEPTION 'allocation % names a budget outside its program', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'allocation_budget_of_tenant';
    END IF;
    IF NEW.currency <> budget_currency THEN
        RAISE EXCEPTION 'allocation in % from a budget in %', NEW.currency, budget_currency
            USING ERRCODE = 'check_violation', CONSTRAINT = 'allocation_currency_of_budget';
    END IF;
    SELECT COALESCE(sum(amount), 0) INTO total FROM recognition_allocation
        WHERE budget_id = NEW.budget_id AND tenant_id = NEW.tenant_id;
    IF total > budget_amount THEN
        RAISE EXCEPTION 'allocations of budget % add up to %, above its % %', NEW.budget_id, total, budget_amount,
            budget_currency USING ERRCODE = 'check_violation', CONSTRAINT = 'allocation_within_budget';
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER allocation_within_budget
    AFTER INSERT OR UPDATE OF amount, currency, budget_id ON recognition_allocation
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION recognition_allocation_guard();

CREATE FUNCTION recognition_budget_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total numeric;
    other_currency text;
BEGIN
    PERFORM 1 FROM recognition_budget WHERE id = NEW.id FOR UPDATE;
    SELECT COALESCE(sum(amount), 0) INTO total FROM recognition_allocation
        WHERE budget_id = NEW.id AND tenant_id = NEW.tenant_id;
    IF total > NEW.amount THEN
        RAISE EXCEPTION 'budget % would be %, below the % already allocated', NEW.id, NEW.amount, total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'budget_covers_allocations';
    END IF;
    SELECT currency INTO other_currency FROM recognition_allocation
        WHERE budget_id = NEW.id AND tenant_id = NEW.tenant_id AND currency <> NEW.currency LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'budget % in % has allocations in %', NEW.id, NEW.currency, other_currency
            USING ERRCODE = 'check_violation', CONSTRAINT = 'allocation_currency_of_budget';
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER budget_covers_allocations
    AFTER UPDATE OF amount, currency ON recognition_budget
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION recognition_budget_guard();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS budget_covers_allocations ON recognition_budget;
DROP FUNCTION IF EXISTS recognition_budget_guard();
DROP TRIGGER IF EXISTS allocation_within_budget ON recognition_allocation;
DROP FUNCTION IF EXISTS recognition_allocation_guard();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("recognition", "0003_investments"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
