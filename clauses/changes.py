"""Who changed which structure's data: told to whatever keeps figures ahead of the pages (`reporting.kept`).

A save or a deletion of one object sends Django's own signals. The bulk paths send none (`bulk_create`,
`QuerySet.update`, `QuerySet.delete` and `bulk_update`, which goes through `update`), so `ScopedQuerySet` sends
`structures_changed` for them, with the structures the rows belong to. Nothing is sent, and no query is made, for
a model nobody listens to.
"""

from django.dispatch import Signal

# sender: the model; structures: a set of structure ids, or objects: the rows written (their structures are looked
# up by the receiver, with `keys_of` and `structures_from`, when it needs them: once per transaction).
structures_changed = Signal()


def structure_lookup(model):
    return model._default_manager.get_queryset().structure_lookup


def _first_step(model):
    first, _, rest = structure_lookup(model).partition("__")
    return model._meta.get_field(first), rest


def keys_of(model, objects) -> set:
    """The values of the first foreign key on the structure lookup of objects held in memory (saved, or just
    deleted): the structure itself, or the row that leads to it."""
    field, _ = _first_step(model)
    return {getattr(obj, field.attname) for obj in objects} - {None}


def structures_from(model, keys) -> set:
    """The structures behind `keys_of`: no query when the model holds its structure, one otherwise."""
    field, rest = _first_step(model)
    if not rest or not keys:
        return set(keys)
    found = field.related_model._base_manager.filter(pk__in=keys).order_by().values_list(rest, flat=True)
    return set(found.distinct()) - {None}


class SignalledQuerySet:
    """The bulk writes of a `ScopedQuerySet`, told through `structures_changed` when somebody listens."""

    def _listened(self):
        return structures_changed.has_listeners(self.model)

    def _structures(self):
        rows = self.order_by().values_list(self.structure_lookup, flat=True).distinct()
        return set(rows) - {None}

    def update(self, **kwargs):
        if not self._listened():
            return super().update(**kwargs)
        touched = self._structures()
        rows = super().update(**kwargs)
        if rows:
            structures_changed.send(sender=self.model, structures=touched)
        return rows

    def delete(self):
        if not self._listened():
            return super().delete()
        touched = self._structures()
        result = super().delete()
        if result[0]:
            structures_changed.send(sender=self.model, structures=touched)
        return result

    delete.alters_data = True
    delete.queryset_only = True

    def bulk_create(self, objs, *args, **kwargs):
        objs = super().bulk_create(objs, *args, **kwargs)
        if objs and self._listened():
            structures_changed.send(sender=self.model, structures=set(), objects=objs)
        return objs
