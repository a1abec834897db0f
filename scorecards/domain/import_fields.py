"""What each import kind accepts: our fields, their types, the CRM headers they are usually called, and natural keys."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db import models

from partnerhub.core.models import Partner
from scorecards.models import Activity, Deal, ImportBatch, Observation, SurveyResponse

# Field types understood by ``scorecards.domain.import_values``.
TEXT = "text"
PARTNER = "partner"
METRIC = "metric"
DEAL = "deal"
CHOICE = "choice"
DECIMAL = "decimal"
PERCENT = "percent"
INTEGER = "integer"
BOOLEAN = "boolean"
DATE = "date"
MONTH = "month"
CURRENCY = "currency"
MEMBER = "member"  # a member of the program, given by email (a partner's owner, sponsor, data steward)
LIST = "list"  # several values in one cell ("Cloud; Security")


@dataclass(frozen=True)
class FieldSpec:
    """One field a file may provide. ``name`` is the key of a mapping and of an API row."""

    name: str
    label: str
    required: bool
    help: str
    type: str = TEXT
    synonyms: tuple[str, ...] = ()
    # Headers that match only when no better header is in the file (e.g. "Opportunity Name" as a deal's id).
    fallback_synonyms: tuple[str, ...] = ()
    max_length: int | None = None
    # Stored value -> the words a file may use for it (the value and its label are always accepted).
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    decimal_places: int = 0
    max_digits: int = 0
    model_field: str = ""  # the model's attribute; defaults to ``name`` (``<name>_id`` for references)
    # A choice field's values with the model's labels (filled from the model's choices).
    labels: tuple[tuple[str, str], ...] = ()
    # A percent kept in whole percent (a probability): a value that is not whole is refused, never rounded.
    whole_percent: bool = False

    @property
    def attname(self) -> str:
        if self.model_field:
            return self.model_field
        return f"{self.name}_id" if self.type in (PARTNER, METRIC, DEAL, MEMBER) else self.name


@dataclass(frozen=True)
class KindSpec:
    """An import kind: its model, its fields, and the natural key that makes a re-import an update."""

    kind: str
    model: type[models.Model]
    fields: tuple[FieldSpec, ...]
    natural_key: tuple[str, ...]  # model attnames, in the order of the unique constraint

    def spec(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def compared(self) -> tuple[str, ...]:
        """The attnames compared with the stored row: every field's, in field order, but the natural key's."""
        return tuple(f.attname for f in self.fields if f.attname not in self.natural_key)

    @property
    def unique_fields(self) -> list[str]:
        """The conflict target for an upsert: the tenant plus the natural key (as field names)."""
        by_attname = {f.attname: f.name for f in self.model._meta.concrete_fields}
        return ["tenant", *(by_attname[attname] for attname in self.natural_key)]


PARTNER_SYNONYMS = (
    "Partner",
    "Partner Name",
    "Partner Account",
    "Partner Account Name",
    "Partner Account ID",
    "Partner ID",
    "Partner External ID",
    "Channel Partner",
    "Reseller",
    "Partner Company",
)


def _partner(help_text: str = "The partner's external id (as in your CRM) or its name.") -> FieldSpec:
    return FieldSpec("partner", "Partner", True, help_text, type=PARTNER, synonyms=PARTNER_SYNONYMS)


def _pct(value: int) -> Decimal:
    return Decimal(value)


OBSERVATIONS = KindSpec(
    kind=ImportBatch.Kind.OBSERVATIONS,
    model=Observation,
    fields=(
        _partner(),
        FieldSpec(
            "metric",
            "Metric",
            True,
            "The metric's key or name, as in the glossary.",
            type=METRIC,
            synonyms=("Metric", "Metric Key", "Metric Name", "KPI", "Measure", "Indicator"),
        ),
        FieldSpec(
            "month",
            "Month",
            True,
            'Any date in the month, or "2024-03", "03/2024", "Mar 2024".',
            type=MONTH,
            synonyms=("Month", "Period", "Reporting Month", "Date", "Reporting Period", "Month Start"),
        ),
        FieldSpec(
            "value",
            "Value",
            True,
            'A number; "1,234.50", "1.234,50", "$1,234", "12%" are understood.',
            type=DECIMAL,
            synonyms=("Value", "Actual", "Amount", "Result", "Reported Value", "Figure"),
            max_digits=18,
            decimal_places=4,
        ),
    ),
    natural_key=("partner_id", "metric_id", "month"),
)

DEALS = KindSpec(
    kind=ImportBatch.Kind.DEALS,
    model=Deal,
    fields=(
        FieldSpec(
            "external_id",
            "Deal id",
            True,
            "The deal's id in your CRM: importing it again updates the same deal.",
            synonyms=("Opportunity ID", "Deal ID", "Record ID", "Opportunity Number", "External ID", "ID", "Deal Id"),
            fallback_synonyms=("Opportunity Name", "Deal Name", "Opportunity", "Deal"),
            max_length=100,
        ),
        _partner(),
        FieldSpec(
            "account_name",
            "Account",
            False,
            "The end customer.",
            synonyms=("Account Name", "Account", "Customer", "Customer Name", "End Customer", "Associated Company"),
            max_length=200,
        ),
        FieldSpec(
            "stage",
            "Stage",
            False,
            'The CRM stage, e.g. "Negotiation" or "Closed Won".',
            synonyms=("Stage", "Deal Stage", "Opportunity Stage", "Sales Stage", "Pipeline Stage"),
            max_length=60,
        ),
        FieldSpec(
            "amount",
            "Amount",
            True,
            'The deal value; "$1,234.50", "€ 1.234,50", "1 234,50 EUR" are understood.',
            type=DECIMAL,
            synonyms=("Amount", "Deal Amount", "Opportunity Amount", "Total Amount", "Deal Value", "Value", "ACV"),
            min_value=Decimal(0),
            max_digits=16,
            decimal_places=2,
        ),
        FieldSpec(
            "currency",
            "Currency",
            False,
            "ISO code (USD, EUR…); when empty, taken from the amount's symbol or code or its column's header, else "
            "the file's currency.",
            type=CURRENCY,
            synonyms=("Currency", "Currency Code", "Opportunity Currency", "Deal Currency", "Amount Currency"),
        ),
        FieldSpec(
            "probability",
            "Probability %",
            False,
            'Win probability in whole percent ("40", "40%") or as a fraction ("0.4"), as its column shows.',
            type=PERCENT,
            synonyms=("Probability", "Probability (%)", "Deal Probability", "Win Probability", "Probability %"),
            min_value=_pct(0),
            max_value=_pct(100),
            whole_percent=True,
        ),
        FieldSpec(
            "created_on",
            "Created on",
            True,
            "When the deal was created.",
            type=DATE,
            synonyms=("Created Date", "Create Date", "Created", "Created On", "Date Created", "Opportunity Created"),
        ),
        FieldSpec(
            "close_date",
            "Close date",
            False,
            "Expected or actual close date.",
            type=DATE,
            synonyms=("Close Date", "Closed Date", "Expected Close Date", "Closing Date", "Close"),
        ),
        FieldSpec(
            "status",
            "Won / lost",
            False,
            'open, won or lost ("Closed Won" works); when empty, read from the stage.',
            type=CHOICE,
            synonyms=("Status", "Won/Lost", "Deal Status", "Outcome", "Result", "Won Lost"),
            choices=(
                (Deal.Status.OPEN, ("open", "in progress", "active", "pending")),
                (Deal.Status.WON, ("won", "closed won", "closed/won", "win", "closed-won")),
                (Deal.Status.LOST, ("lost", "closed lost", "closed/lost", "loss", "closed-lost")),
            ),
        ),
        FieldSpec(
            "discount_pct",
            "Discount %",
            False,
            'Discount off list price in percent ("12.5", "12.5%") or as a fraction ("0.125").',
            type=PERCENT,
            synonyms=("Discount", "Discount %", "Discount (%)", "Discount Percent", "Discount Percentage"),
            min_value=_pct(0),
            max_value=_pct(100),
            max_digits=5,
            decimal_places=2,
        ),
        FieldSpec(
            "term_months",
            "Term (months)",
            False,
            "Contract term in months.",
            type=INTEGER,
            synonyms=("Term", "Contract Term", "Term (months)", "Contract Term (Months)", "Contract Length"),
            min_value=Decimal(0),
            max_value=Decimal(32767),
        ),
        FieldSpec(
            "is_renewal",
            "Renewal",
            False,
            "yes/no, true/false, 1/0 or x.",
            type=BOOLEAN,
            synonyms=("Renewal", "Is Renewal", "Renewal?", "Renewal Flag"),
        ),
        FieldSpec(
            "registered_on",
            "Registered on",
            False,
            "Deal-registration date.",
            type=DATE,
            synonyms=("Registration Date", "Registered On", "Deal Registration Date", "Registered"),
        ),
        FieldSpec(
            "registration_status",
            "Registration status",
            False,
            "approved, rejected or pending (empty: not registered).",
            type=CHOICE,
            synonyms=("Registration Status", "Deal Registration Status", "Reg Status"),
            choices=(
                (Deal.Registration.PENDING, ("pending", "submitted", "in review", "under review")),
                (Deal.Registration.APPROVED, ("approved", "accepted")),
                (Deal.Registration.REJECTED, ("rejected", "declined", "denied")),
            ),
        ),
        FieldSpec(
            "registration_expires_on",
            "Registration expires",
            False,
            "When the registration lapses.",
            type=DATE,
            synonyms=("Registration Expiry", "Registration Expiration Date", "Registration Expires", "Expiry Date"),
        ),
    ),
    natural_key=("external_id",),
)

ACTIVITIES = KindSpec(
    kind=ImportBatch.Kind.ACTIVITIES,
    model=Activity,
    fields=(
        _partner(),
        FieldSpec(
            "kind",
            "Kind",
            True,
            "webinar, co-sell campaign, integration milestone, training or certification.",
            type=CHOICE,
            synonyms=("Kind", "Type", "Activity Type", "Category", "Engagement Type"),
            choices=(
                (Activity.Kind.WEBINAR, ("webinar", "webinars", "web seminar", "event")),
                (
                    Activity.Kind.CO_SELL,
                    ("co-sell", "cosell", "co sell", "campaign", "co-sell campaign", "joint campaign"),
                ),
                (Activity.Kind.INTEGRATION, ("integration", "integration milestone", "milestone")),
                (Activity.Kind.TRAINING, ("training", "enablement", "workshop")),
                (Activity.Kind.CERTIFICATION, ("certification", "certificate", "certified")),
            ),
        ),
        FieldSpec(
            "title",
            "Title",
            True,
            "What it was called.",
            synonyms=("Title", "Name", "Activity", "Activity Name", "Subject", "Campaign Name", "Event Name"),
            max_length=200,
        ),
        FieldSpec(
            "date",
            "Date",
            True,
            "When it took place.",
            type=DATE,
            synonyms=("Date", "Activity Date", "Event Date", "Start Date", "Completed On"),
        ),
        FieldSpec(
            "outcome",
            "Outcome",
            False,
            "What came of it.",
            synonyms=("Outcome", "Result", "Notes", "Description", "Summary"),
        ),
        FieldSpec(
            "attendees",
            "Attendees",
            False,
            "How many took part.",
            type=INTEGER,
            synonyms=("Attendees", "Participants", "Attendance", "Registrants"),
            min_value=Decimal(0),
            max_value=Decimal(2**31 - 1),
        ),
        FieldSpec(
            "leads",
            "Leads",
            False,
            "Leads produced.",
            type=INTEGER,
            synonyms=("Leads", "Leads Generated", "MQLs", "Leads Produced"),
            min_value=Decimal(0),
            max_value=Decimal(2**31 - 1),
        ),
    ),
    natural_key=("partner_id", "kind", "date", "title"),
)

SURVEYS = KindSpec(
    kind=ImportBatch.Kind.SURVEYS,
    model=SurveyResponse,
    fields=(
        _partner(),
        FieldSpec(
            "survey",
            "Survey",
            True,
            "csat, partner sentiment or collaboration quality.",
            type=CHOICE,
            synonyms=("Survey", "Survey Type", "Survey Name", "Questionnaire"),
            choices=(
                (SurveyResponse.Survey.CSAT, ("csat", "customer satisfaction", "customer csat", "satisfaction")),
                (SurveyResponse.Survey.SENTIMENT, ("partner sentiment", "sentiment", "partner satisfaction")),
                (
                    SurveyResponse.Survey.COLLABORATION,
                    ("collaboration quality", "collaboration", "collaboration health"),
                ),
            ),
        ),
        FieldSpec(
            "respondent_type",
            "Respondent type",
            False,
            "customer, partner or internal; when empty, read from the survey (CSAT: customer, sentiment: partner, "
            "collaboration: internal).",
            type=CHOICE,
            synonyms=("Respondent Type", "Respondent Role", "Audience"),
            choices=(
                (SurveyResponse.Respondent.CUSTOMER, ("customer", "client", "end customer")),
                (SurveyResponse.Respondent.PARTNER, ("partner", "partner user")),
                (SurveyResponse.Respondent.INTERNAL, ("internal", "internal team", "employee", "vendor")),
            ),
        ),
        FieldSpec(
            "respondent",
            "Respondent",
            True,
            "Who answered (an email or account); emails are compared in lower case.",
            synonyms=("Respondent", "Respondent Email", "Email", "Contact", "Contact Email", "Submitted By"),
            max_length=200,
        ),
        FieldSpec(
            "account_name",
            "Account",
            False,
            "The customer account the answer is about.",
            synonyms=("Account", "Account Name", "Customer", "Company"),
            max_length=200,
        ),
        FieldSpec(
            "deal",
            "Deal id",
            False,
            "The deal the answer is about (its CRM id); it must be imported already.",
            type=DEAL,
            synonyms=("Deal", "Deal ID", "Opportunity ID", "Opportunity"),
        ),
        FieldSpec(
            "date",
            "Date",
            True,
            "When the answer was given.",
            type=DATE,
            synonyms=("Date", "Response Date", "Submitted", "Submitted At", "Submitted On", "Answered On"),
        ),
        FieldSpec(
            "score",
            "Score",
            True,
            "The answer's score, from 0 to the scale's maximum.",
            type=DECIMAL,
            synonyms=("Score", "Rating", "Answer", "CSAT Score", "Response"),
            min_value=Decimal(0),
            max_digits=7,
            decimal_places=2,
        ),
        FieldSpec(
            "scale_max",
            "Scale maximum",
            False,
            "The best possible score (default 5).",
            type=INTEGER,
            synonyms=("Scale", "Scale Max", "Max Score", "Out Of", "Scale Maximum"),
            min_value=Decimal(1),
            max_value=Decimal(32767),
        ),
        FieldSpec(
            "comment",
            "Comment",
            False,
            "Free text.",
            synonyms=("Comment", "Comments", "Feedback", "Verbatim", "Remarks"),
        ),
    ),
    natural_key=("partner_id", "survey", "respondent", "date"),
)
# Partners: the natural key is the name (unique in a program, compared without case); type and region are required
# for a new partner, from the file or from a value chosen for the whole file on the import page.
PARTNERS = KindSpec(
    kind=ImportBatch.Kind.PARTNERS,
    model=Partner,
    fields=(
        FieldSpec(
            "name",
            "Name",
            True,
            "The partner company's name: importing it again updates the same partner (case is ignored).",
            synonyms=(
                "Partner",
                "Partner Name",
                "Name",
                "Account Name",
                "Company",
                "Company Name",
                "Partner Account",
                "Partner Account Name",
                "Account",
            ),
            max_length=200,
        ),
        FieldSpec(
            "external_id",
            "External id",
            False,
            "The partner's id in your CRM (deals and metrics may name the partner by it).",
            synonyms=("Partner ID", "Account ID", "External ID", "Partner External ID", "CRM ID", "Record ID", "ID"),
            max_length=100,
        ),
        FieldSpec(
            "partner_type",
            "Type",
            False,
            "reseller, systems integrator, technology, referral or managed service provider; required for a new "
            "partner (or choose one for the whole file).",
            type=CHOICE,
            synonyms=("Type", "Partner Type", "Account Type", "Partnership Type", "Program Type", "Category"),
            choices=(
                (Partner.Type.RESELLER, ("reseller", "var", "value added reseller", "solution provider", "dealer")),
                (Partner.Type.SI, ("si", "systems integrator", "system integrator", "integrator", "gsi", "consulting")),
                (Partner.Type.TECHNOLOGY, ("technology", "tech", "isv", "technology partner", "alliance")),
                (Partner.Type.REFERRAL, ("referral", "agent", "affiliate", "referral partner", "influencer")),
                (Partner.Type.MSP, ("msp", "managed service provider", "managed services", "mssp", "csp")),
            ),
        ),
        FieldSpec(
            "tier",
            "Tier",
            False,
            "platinum, gold, silver or registered (a new partner without one is registered).",
            type=CHOICE,
            synonyms=("Tier", "Partner Tier", "Level", "Partner Level", "Program Level", "Status Level"),
            choices=(
                (Partner.Tier.PLATINUM, ("platinum", "premier", "diamond", "elite")),
                (Partner.Tier.GOLD, ("gold", "advanced")),
                (Partner.Tier.SILVER, ("silver", "select")),
                (Partner.Tier.REGISTERED, ("registered", "member", "bronze", "authorized", "authorised")),
            ),
        ),
        FieldSpec(
            "stage",
            "Lifecycle stage",
            False,
            "onboarding, growth, mature or at risk (a new partner without one is onboarding).",
            type=CHOICE,
            synonyms=("Lifecycle Stage", "Stage", "Partner Stage", "Lifecycle", "Relationship Stage"),
            choices=(
                (Partner.Stage.ONBOARDING, ("onboarding", "new", "recruiting", "enablement")),
                (Partner.Stage.GROWTH, ("growth", "growing", "developing", "active")),
                (Partner.Stage.MATURE, ("mature", "established", "strategic")),
                (Partner.Stage.AT_RISK, ("at risk", "at-risk", "risk", "declining", "churn risk")),
            ),
        ),
        FieldSpec(
            "region",
            "Region",
            False,
            "North America, Latin America, EMEA or APAC; required for a new partner (or choose one for the file).",
            type=CHOICE,
            synonyms=("Region", "Sales Region", "Territory", "Geo", "Geography", "Theatre", "Theater"),
            choices=(
                (
                    Partner.Region.NORTH_AMERICA,
                    ("na", "north america", "nam", "amer", "americas", "us", "usa", "canada"),
                ),
                (Partner.Region.LATAM, ("latam", "latin america", "south america", "lac", "mexico", "brazil")),
                (Partner.Region.EMEA, ("emea", "europe", "eu", "uk", "dach", "middle east", "africa", "nordics")),
                (Partner.Region.APAC, ("apac", "asia", "asia pacific", "apj", "anz", "japan", "australia", "india")),
            ),
        ),
        FieldSpec(
            "market",
            "Market",
            False,
            "Country or market segment.",
            synonyms=("Market", "Country", "Billing Country", "Segment", "Market Segment", "HQ Country"),
            max_length=80,
        ),
        FieldSpec(
            "product_lines",
            "Product lines",
            False,
            'Several in one cell, separated by ";" "," or "|" ("Cloud; Security").',
            type=LIST,
            synonyms=("Product Lines", "Product Line", "Products", "Solutions", "Specializations", "Competencies"),
            max_length=60,
        ),
        FieldSpec(
            "owner",
            "Owner (email)",
            False,
            "The partner manager's email: an active partner manager or admin of this program.",
            type=MEMBER,
            synonyms=(
                "Owner",
                "Owner Email",
                "Partner Manager",
                "Partner Account Manager",
                "Channel Manager",
                "Account Owner",
                "PAM",
                "Manager",
            ),
        ),
        FieldSpec(
            "executive_sponsor",
            "Executive sponsor (email)",
            False,
            "The sponsor's email: an executive or admin of this program.",
            type=MEMBER,
            synonyms=("Executive Sponsor", "Sponsor", "Exec Sponsor", "Executive Sponsor Email", "Sponsor Email"),
        ),
        FieldSpec(
            "data_steward",
            "Data steward (email)",
            False,
            "Who answers for the partner's data: a member of this program (not a partner user).",
            type=MEMBER,
            synonyms=("Data Steward", "Steward", "Data Owner", "Data Steward Email", "Data Contact"),
        ),
        FieldSpec(
            "size_factor",
            "Size factor",
            False,
            "Size or territory factor for normalised scorecard items, above 0 (default 1).",
            type=DECIMAL,
            synonyms=("Size Factor", "Size", "Territory Factor", "Weight", "Normalisation Factor", "Scale Factor"),
            min_value=Decimal("0.0001"),
            max_digits=10,
            decimal_places=4,
        ),
    ),
    natural_key=("name",),
)


# Headers in the languages our users' CRMs and spreadsheets export in (German, French, Spanish, Italian, Dutch,
# Portuguese), per import kind and field. Compared like every header: case, accents, spaces and punctuation ignored.
TRANSLATED_SYNONYMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("*", "partner"): (
        "Partnername",
        "Partnerfirma",
        "Vertriebspartner",
        "Wiederverkäufer",
        "Händler",
        "Partenaire",
        "Nom du partenaire",
        "Revendeur",
        "Socio",
        "Nombre del socio",
        "Distribuidor",
        "Revendedor",
        "Rivenditore",
        "Nome partner",
        "Partnernaam",
        "Wederverkoper",
        "Parceiro",
        "Nome do parceiro",
        "Socio comercial",
    ),
    ("deals", "external_id"): (
        "Verkaufschancen-ID",
        "Verkaufschance-ID",
        "Opportunity-ID",
        "Deal-ID",
        "Geschäfts-ID",
        "ID de l'opportunité",
        "ID opportunité",
        "Identifiant",
        "ID de la oportunidad",
        "ID de oportunidad",
        "ID del negocio",
        "ID opportunità",
        "ID trattativa",
        "Verkoopkans-ID",
        "ID da oportunidade",
        "ID do negócio",
        "Kennung",
    ),
    ("deals", "account_name"): (
        "Kunde",
        "Kundenname",
        "Firma",
        "Firmenname",
        "Accountname",
        "Unternehmen",
        "Endkunde",
        "Client",
        "Nom du compte",
        "Compte",
        "Nom du client",
        "Entreprise",
        "Cliente",
        "Nombre de la cuenta",
        "Cuenta",
        "Empresa",
        "Nome account",
        "Azienda",
        "Klant",
        "Accountnaam",
        "Bedrijf",
        "Klantnaam",
        "Nome da conta",
        "Conta",
        "Nome do cliente",
    ),
    ("deals", "stage"): (
        "Phase",
        "Verkaufsphase",
        "Stufe",
        "Deal-Phase",
        "Étape",
        "Étape de la vente",
        "Étape de vente",
        "Etapa",
        "Fase",
        "Etapa de venta",
        "Etapa de ventas",
        "Fase di vendita",
        "Stadio",
        "Verkoopfase",
        "Stadium",
        "Estágio",
        "Fase do negócio",
    ),
    ("deals", "amount"): (
        "Betrag",
        "Wert",
        "Auftragswert",
        "Umsatz",
        "Deal-Wert",
        "Volumen",
        "Montant",
        "Valeur",
        "Montant de l'opportunité",
        "Importe",
        "Monto",
        "Valor",
        "Importo",
        "Valore",
        "Ammontare",
        "Bedrag",
        "Waarde",
        "Dealwaarde",
        "Montante",
        "Valor do negócio",
    ),
    ("deals", "currency"): (
        "Währung",
        "Devise",
        "Monnaie",
        "Moneda",
        "Divisa",
        "Valuta",
        "Munteenheid",
        "Moeda",
    ),
    ("deals", "probability"): (
        "Wahrscheinlichkeit",
        "Abschlusswahrscheinlichkeit",
        "Probabilité",
        "Probabilidad",
        "Probabilità",
        "Kans",
        "Waarschijnlijkheid",
        "Slagingskans",
        "Probabilidade",
    ),
    ("deals", "created_on"): (
        "Erstellt am",
        "Erstelldatum",
        "Erstellungsdatum",
        "Angelegt am",
        "Anlagedatum",
        "Date de création",
        "Créé le",
        "Fecha de creación",
        "Creado el",
        "Creado",
        "Data di creazione",
        "Creato il",
        "Data creazione",
        "Aanmaakdatum",
        "Aangemaakt op",
        "Gemaakt op",
        "Datum aangemaakt",
        "Data de criação",
        "Criado em",
    ),
    ("deals", "close_date"): (
        "Abschlussdatum",
        "Schlusstermin",
        "Voraussichtliches Abschlussdatum",
        "Abschluss am",
        "Date de clôture",
        "Date de clôture prévue",
        "Clôture",
        "Fecha de cierre",
        "Fecha de cierre prevista",
        "Cierre",
        "Data di chiusura",
        "Data chiusura prevista",
        "Chiusura",
        "Sluitingsdatum",
        "Verwachte sluitingsdatum",
        "Afsluitdatum",
        "Data de fechamento",
        "Data de encerramento",
        "Fechamento",
    ),
    ("deals", "status"): (
        "Ergebnis",
        "Gewonnen/Verloren",
        "Statut",
        "Résultat",
        "Gagné/Perdu",
        "Estado",
        "Resultado",
        "Ganado/Perdido",
        "Stato",
        "Esito",
        "Vinto/Perso",
        "Resultaat",
        "Situação",
        "Ganho/Perdido",
    ),
    ("deals", "discount_pct"): (
        "Rabatt",
        "Rabatt (%)",
        "Nachlass",
        "Remise",
        "Remise (%)",
        "Rabais",
        "Descuento",
        "Descuento (%)",
        "Sconto",
        "Sconto (%)",
        "Korting",
        "Korting (%)",
        "Desconto",
        "Desconto (%)",
    ),
    ("deals", "term_months"): (
        "Laufzeit",
        "Vertragslaufzeit",
        "Laufzeit (Monate)",
        "Durée",
        "Durée du contrat",
        "Durée (mois)",
        "Plazo",
        "Duración",
        "Duración del contrato",
        "Plazo (meses)",
        "Durata",
        "Durata contratto",
        "Durata (mesi)",
        "Looptijd",
        "Contractduur",
        "Looptijd (maanden)",
        "Prazo",
        "Duração",
        "Duração do contrato",
        "Prazo (meses)",
    ),
    ("deals", "is_renewal"): (
        "Verlängerung",
        "Vertragsverlängerung",
        "Renouvellement",
        "Renovación",
        "Rinnovo",
        "Verlenging",
        "Renovação",
    ),
    ("deals", "registered_on"): (
        "Registrierungsdatum",
        "Registriert am",
        "Date d'enregistrement",
        "Enregistré le",
        "Fecha de registro",
        "Registrado el",
        "Data di registrazione",
        "Registrato il",
        "Registratiedatum",
        "Geregistreerd op",
        "Data de registro",
        "Registrado em",
    ),
    ("deals", "registration_status"): (
        "Registrierungsstatus",
        "Statut d'enregistrement",
        "Estado del registro",
        "Stato registrazione",
        "Registratiestatus",
        "Status do registro",
    ),
    ("deals", "registration_expires_on"): (
        "Registrierung gültig bis",
        "Ablaufdatum",
        "Gültig bis",
        "Date d'expiration",
        "Expire le",
        "Fecha de vencimiento",
        "Vence el",
        "Data di scadenza",
        "Scadenza",
        "Vervaldatum",
        "Verloopt op",
        "Data de expiração",
        "Expira em",
    ),
    ("observations", "metric"): (
        "Kennzahl",
        "Metrik",
        "Indicateur",
        "Métrique",
        "Mesure",
        "Métrica",
        "Indicador",
        "Medida",
        "Metrica",
        "Indicatore",
        "Misura",
        "Metriek",
        "Maatstaf",
        "Kengetal",
    ),
    ("observations", "month"): (
        "Monat",
        "Zeitraum",
        "Berichtsmonat",
        "Periode",
        "Datum",
        "Mois",
        "Période",
        "Mes",
        "Período",
        "Fecha",
        "Mese",
        "Periodo",
        "Data",
        "Maand",
        "Mês",
    ),
    ("observations", "value"): (
        "Wert",
        "Ist",
        "Istwert",
        "Ergebnis",
        "Betrag",
        "Valeur",
        "Réel",
        "Montant",
        "Résultat",
        "Valor",
        "Real",
        "Resultado",
        "Importe",
        "Valore",
        "Effettivo",
        "Risultato",
        "Importo",
        "Waarde",
        "Werkelijk",
        "Resultaat",
        "Bedrag",
    ),
    ("activities", "kind"): (
        "Art",
        "Typ",
        "Aktivitätstyp",
        "Aktivitätsart",
        "Kategorie",
        "Type d'activité",
        "Catégorie",
        "Tipo",
        "Tipo de actividad",
        "Categoría",
        "Tipo di attività",
        "Categoria",
        "Soort",
        "Activiteitstype",
        "Categorie",
        "Tipo de atividade",
    ),
    ("activities", "title"): (
        "Titel",
        "Bezeichnung",
        "Betreff",
        "Aktivität",
        "Titre",
        "Nom",
        "Intitulé",
        "Sujet",
        "Activité",
        "Título",
        "Nombre",
        "Asunto",
        "Actividad",
        "Titolo",
        "Nome",
        "Oggetto",
        "Attività",
        "Naam",
        "Onderwerp",
        "Activiteit",
        "Assunto",
        "Atividade",
    ),
    ("activities", "date"): (
        "Datum",
        "Aktivitätsdatum",
        "Veranstaltungsdatum",
        "Date de l'activité",
        "Date de l'événement",
        "Fecha",
        "Fecha de la actividad",
        "Data",
        "Data dell'attività",
        "Activiteitsdatum",
        "Data da atividade",
    ),
    ("activities", "outcome"): (
        "Ergebnis",
        "Notizen",
        "Beschreibung",
        "Résultat",
        "Notes",
        "Resultado",
        "Notas",
        "Descripción",
        "Risultato",
        "Note",
        "Descrizione",
        "Resultaat",
        "Notities",
        "Omschrijving",
        "Descrição",
    ),
    ("activities", "attendees"): (
        "Teilnehmer",
        "Teilnehmerzahl",
        "Participants",
        "Asistentes",
        "Participantes",
        "Partecipanti",
        "Deelnemers",
    ),
    ("activities", "leads"): (
        "Generierte Leads",
        "Prospects",
        "Leads générés",
        "Prospectos",
        "Clientes potenciales",
        "Lead",
        "Lead generati",
        "Leads gerados",
    ),
    ("surveys", "survey"): (
        "Umfrage",
        "Umfragetyp",
        "Befragung",
        "Enquête",
        "Sondage",
        "Type d'enquête",
        "Encuesta",
        "Tipo de encuesta",
        "Sondaggio",
        "Questionario",
        "Vragenlijst",
        "Pesquisa",
        "Questionário",
    ),
    ("surveys", "respondent_type"): (
        "Befragtentyp",
        "Rolle",
        "Type de répondant",
        "Tipo de encuestado",
        "Tipo di rispondente",
        "Type respondent",
        "Tipo de respondente",
    ),
    ("surveys", "respondent"): (
        "Befragter",
        "E-Mail",
        "Kontakt",
        "Répondant",
        "Courriel",
        "Encuestado",
        "Correo electrónico",
        "Correo",
        "Contacto",
        "Rispondente",
        "Contatto",
        "Contactpersoon",
        "Respondente",
        "Contato",
    ),
    ("surveys", "account_name"): (
        "Kunde",
        "Kundenname",
        "Firma",
        "Client",
        "Compte",
        "Cliente",
        "Cuenta",
        "Empresa",
        "Azienda",
        "Klant",
        "Bedrijf",
        "Conta",
    ),
    ("surveys", "deal"): (
        "Verkaufschance",
        "Opportunité",
        "Oportunidad",
        "Opportunità",
        "Verkoopkans",
        "Oportunidade",
    ),
    ("surveys", "date"): (
        "Datum",
        "Antwortdatum",
        "Date de réponse",
        "Fecha",
        "Fecha de respuesta",
        "Data",
        "Data di risposta",
        "Antwoorddatum",
        "Data da resposta",
    ),
    ("surveys", "score"): (
        "Bewertung",
        "Punktzahl",
        "Note",
        "Évaluation",
        "Puntuación",
        "Calificación",
        "Nota",
        "Punteggio",
        "Valutazione",
        "Voto",
        "Beoordeling",
        "Cijfer",
        "Pontuação",
        "Avaliação",
    ),
    ("surveys", "scale_max"): (
        "Skala",
        "Maximum",
        "Höchstwert",
        "Échelle",
        "Note maximale",
        "Escala",
        "Puntuación máxima",
        "Scala",
        "Punteggio massimo",
        "Schaal",
        "Maximale score",
        "Pontuação máxima",
    ),
    ("partners", "name"): (
        "Partnername",
        "Firmenname",
        "Firma",
        "Nom du partenaire",
        "Nom",
        "Société",
        "Nombre del socio",
        "Nombre",
        "Empresa",
        "Nome partner",
        "Nome",
        "Azienda",
        "Partnernaam",
        "Naam",
        "Bedrijf",
        "Nome do parceiro",
    ),
    ("partners", "partner_type"): (
        "Partnertyp",
        "Typ",
        "Art",
        "Type de partenaire",
        "Tipo de socio",
        "Tipo",
        "Tipo di partner",
        "Partnertype",
        "Soort",
        "Tipo de parceiro",
    ),
    ("partners", "tier"): ("Stufe", "Partnerstufe", "Niveau", "Nivel", "Livello", "Nível"),
    ("partners", "stage"): (
        "Lebenszyklus",
        "Phase",
        "Cycle de vie",
        "Étape",
        "Ciclo de vida",
        "Etapa",
        "Ciclo di vita",
        "Fase",
        "Levenscyclus",
    ),
    ("partners", "region"): ("Region", "Gebiet", "Région", "Territoire", "Región", "Regione", "Regio", "Região"),
    ("partners", "market"): ("Land", "Markt", "Pays", "Marché", "País", "Mercado", "Paese", "Mercato", "Markt"),
    ("partners", "product_lines"): (
        "Produktlinien",
        "Produkte",
        "Lösungen",
        "Gammes de produits",
        "Produits",
        "Líneas de producto",
        "Productos",
        "Linee di prodotto",
        "Prodotti",
        "Productlijnen",
        "Producten",
        "Linhas de produto",
        "Produtos",
    ),
    ("partners", "owner"): (
        "Partnermanager",
        "Verantwortlich",
        "Responsable",
        "Responsable du partenaire",
        "Gestor",
        "Responsabile",
        "Eigenaar",
        "Proprietário",
    ),
    ("partners", "executive_sponsor"): (
        "Sponsor exécutif",
        "Patrocinador",
        "Patrocinador ejecutivo",
        "Sponsor esecutivo",
    ),
    ("partners", "data_steward"): ("Datenverantwortlicher", "Responsable des données", "Responsable de datos"),
    ("partners", "size_factor"): (
        "Größenfaktor",
        "Facteur de taille",
        "Factor de tamaño",
        "Fattore dimensione",
        "Groottefactor",
    ),
    ("surveys", "comment"): (
        "Kommentar",
        "Anmerkungen",
        "Commentaire",
        "Remarques",
        "Comentario",
        "Comentarios",
        "Observaciones",
        "Commento",
        "Commenti",
        "Osservazioni",
        "Opmerking",
        "Opmerkingen",
        "Commentaar",
        "Comentário",
        "Comentários",
        "Observações",
    ),
}


# Names that stand in for a deal's id when a file has no id column ("Opportunity Name" in English).
TRANSLATED_FALLBACKS: dict[tuple[str, str], tuple[str, ...]] = {
    ("deals", "external_id"): (
        "Verkaufschance",
        "Name der Verkaufschance",
        "Verkaufschancenname",
        "Deal-Name",
        "Nom de l'opportunité",
        "Opportunité",
        "Nom de la transaction",
        "Nombre de la oportunidad",
        "Oportunidad",
        "Nombre del negocio",
        "Nome opportunità",
        "Opportunità",
        "Nome trattativa",
        "Naam verkoopkans",
        "Verkoopkans",
        "Dealnaam",
        "Nome da oportunidade",
        "Oportunidade",
        "Nome do negócio",
    ),
}


def _labels(spec: KindSpec, fspec: FieldSpec) -> tuple[tuple[str, str], ...]:
    if fspec.type != CHOICE:
        return ()
    model_field = spec.model._meta.get_field(fspec.attname)
    choices: Any = getattr(model_field, "choices", None) or ()
    return tuple((str(value), str(label)) for value, label in choices if value)


def _translated(spec: KindSpec) -> KindSpec:
    """The kind with each field's headers in the other languages added to its synonyms, and its choices' labels."""
    fields = tuple(
        replace(
            f,
            synonyms=(
                *f.synonyms,
                *TRANSLATED_SYNONYMS.get(("*", f.name), ()),
                *TRANSLATED_SYNONYMS.get((spec.kind, f.name), ()),
            ),
            fallback_synonyms=(*f.fallback_synonyms, *TRANSLATED_FALLBACKS.get((spec.kind, f.name), ())),
            labels=_labels(spec, f),
        )
        for f in spec.fields
    )
    return replace(spec, fields=fields)


KINDS: dict[str, KindSpec] = {
    spec.kind: _translated(spec) for spec in (OBSERVATIONS, DEALS, ACTIVITIES, SURVEYS, PARTNERS)
}


def kind_spec(kind: str) -> KindSpec | None:
    return KINDS.get(kind)
