"""The registry of form kinds and documents (models/kinds.py) holds whole: every form kind has
its class, every document its template, every SOP outcome names a known kind and a document
its form can fill, and the database refuses a kind the registry does not know."""

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import SopOutcome, db
from models.kinds import DOCUMENT_KINDS, DOCUMENTS, FORM_KINDS, FORMS
from models.step_forms import FORM_CLASSES, StepForm

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_every_form_kind_has_its_class():
    assert set(FORM_CLASSES) == set(FORMS)
    for kind in FORM_KINDS:
        assert issubclass(FORM_CLASSES[kind.code], StepForm), kind.code
        assert FORM_CLASSES[kind.code].__name__ == kind.form_class


def test_every_document_has_its_template_and_a_form_that_fills_it():
    for kind in DOCUMENT_KINDS:
        if kind.template is not None:
            assert (TEMPLATES / kind.template).is_file(), kind.template
        assert kind.beside_sop != any(kind.code in form.documents for form in FORM_KINDS), kind.code
        assert kind.signer in (None, "actor", "meeting_leader", "signatory"), kind.code
        assert kind.follows is None or kind.follows in DOCUMENTS
    for form in FORM_KINDS:
        assert set(form.documents) <= set(DOCUMENTS), form.code


def test_every_seeded_outcome_names_a_known_kind_and_a_document_its_form_fills(app):
    with app.app_context():
        outcomes = db.session.scalars(select(SopOutcome)).all()
        assert outcomes
        for o in outcomes:
            assert o.form in FORMS, o.code
            assert o.document is None or o.document in FORMS[o.form].documents, o.code


@pytest.mark.parametrize("column", ["form", "document"])
def test_the_database_refuses_a_kind_the_registry_does_not_know(app, column):
    with app.app_context():
        outcome = db.session.scalars(select(SopOutcome).limit(1)).one()
        setattr(outcome, column, "tidak_dikenal")
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
