"""What the registers and the export show of a complaint's history, kept on its row by the
engine (models/workflow.summarise): addressed_to (Diteruskan kepada), answer_subject and
answer_opening (Tindak lanjut); filled here from the history already recorded

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 03:10:00

"""
import json

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

# The rule as it stood at this revision (a migration does not import the models): a Lembar
# Disposisi names an addressee; a Surat Dinas or a Surat Pelimpahan is the follow-up.
ADDRESSEE, FOLLOW_UPS = 'lembar_disposisi', ('surat_dinas', 'surat_pelimpahan')
OPENING = 200
BATCH = 1000


def upgrade():
    op.add_column('complaint', sa.Column('addressed_to', sa.Text(), nullable=False,
                                         server_default=''))
    op.add_column('complaint', sa.Column('answer_subject', sa.String(length=300), nullable=True))
    op.add_column('complaint', sa.Column('answer_opening', sa.String(length=OPENING),
                                         nullable=True))
    bind = op.get_bind()
    records = bind.execute(sa.text(
        'SELECT complaint_id, document, data FROM step_record WHERE document IN '
        "('lembar_disposisi', 'surat_dinas', 'surat_pelimpahan') ORDER BY complaint_id, seq"))
    summaries = {}
    for complaint_id, document, data in records:
        if isinstance(data, str):
            data = json.loads(data)
        data = data or {}
        people, subject, opening = summaries.get(complaint_id, ([], None, None))
        if document == ADDRESSEE:
            to = data.get('to') or {}
            if to.get('name'):
                person = f"{to['name']} ({to['position']})" if to.get('position') else to['name']
                if person not in people:
                    people.append(person)
        else:
            agency = data.get('agency')
            subject = (data.get('subject') or (f'Dilimpahkan kepada {agency}' if agency else '')
                       )[:300]
            opening = (data.get('body') or data.get('reason') or '')[:OPENING] or None
        summaries[complaint_id] = (people, subject, opening)
    update = sa.text('UPDATE complaint SET addressed_to = :to, answer_subject = :subject, '
                     'answer_opening = :opening WHERE id = :id')
    rows = [{'id': cid, 'to': '; '.join(people), 'subject': subject, 'opening': opening}
            for cid, (people, subject, opening) in summaries.items()]
    for start in range(0, len(rows), BATCH):
        bind.execute(update, rows[start:start + BATCH])


def downgrade():
    for column in ('answer_opening', 'answer_subject', 'addressed_to'):
        op.execute(f'ALTER TABLE complaint DROP COLUMN {column}')  # SQLite 3.35+, PostgreSQL
