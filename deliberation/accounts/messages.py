"""Messages of the error codes only accounts raises (the shared ones, account_blocked among them, are in
deliberation.core.errors)."""

from flask_babel import lazy_gettext as _l

ERROR_MESSAGES = {
    "wrong_password": _l("This is not your current password."),
    "role_already_granted": _l("This person already holds this role there."),
    "role_not_found": _l("This person does not hold this role there."),
    "own_admin_role": _l("You cannot remove your own administrator role: ask another administrator."),
    "admin_role_global": _l("The administrator role cannot be limited to one consultation."),
    "last_admin": _l("This is the last administrator account: name another administrator first."),
}
