"""Named errors raised inside `analytics`; pages and the command line turn them into one message."""


class AnalyticsError(Exception):
    """Base class: the message is meant for a person and needs no traceback.

    `key` names an interface string (strings/*.toml) so a page can show the message in
    the user's language; `params` fill its placeholders. The English message is the
    fallback and what the command line prints.
    """

    def __init__(self, message: str, *, key: str | None = None, **params):
        super().__init__(message)
        self.key = key
        self.params = params


class SchemaTooNew(AnalyticsError):
    pass


class NotFound(AnalyticsError):
    pass


class PermissionDenied(AnalyticsError):
    pass


class InvalidInput(AnalyticsError):
    pass


class ImportRefused(AnalyticsError):
    pass


class InvalidTransition(AnalyticsError):
    pass


class GroupFull(AnalyticsError):
    pass


class StaleEdit(AnalyticsError):
    pass


# The catalogue's rules (analytics.catalogue.rules); each carries a `key` for its Dutch message.
class CatalogueRule(InvalidInput):
    pass


class DeadlineAfterStart(CatalogueRule):
    pass


class CapacityInvalid(CatalogueRule):
    pass


class SessionOutsideRound(CatalogueRule):
    pass


class CapacityBelowPlaced(CatalogueRule):
    pass


class InUse(CatalogueRule):
    """Cannot be deleted: attendance, applications or other rows refer to it (archive or close instead)."""


class NameTaken(CatalogueRule):
    pass


class NameLocked(CatalogueRule):
    """DuckDB refuses to change a name (an indexed column) once other rows refer to the row."""


class UploadLimit(ImportRefused):
    """An upload refused because it exceeds a limit (analytics.intake.files.Limits)."""


class FileTooLarge(UploadLimit):
    pass


class TooManyRows(UploadLimit):
    pass


class TooManyColumns(UploadLimit):
    pass


class ExpandsTooFar(UploadLimit):
    """A compressed workbook whose sheets would unpack to far more than the file itself."""


class DatabaseDamaged(AnalyticsError):
    """The database or its write-ahead log cannot be opened as it is."""


class TextTooLong(InvalidInput):
    pass


class SignInRefused(PermissionDenied):
    """Wrong e-mail or password, unknown or disabled account: one answer for all."""


class AccountLocked(PermissionDenied):
    """Too many failed sign-ins for this e-mail address within the lock-out window."""


class DatabaseInUse(AnalyticsError):
    """The running dashboard holds the database file (DuckDB's lock)."""


class Conflict(StaleEdit):
    """A save made against a version of a record that someone else has changed since
    (`analytics.store.versions`); `params` name who, when and the changed fields."""
