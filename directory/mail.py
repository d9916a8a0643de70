"""The demo's e-mail backend: says a message went out, never what a patient wrote (that goes to the practice)."""

from django.core.mail.backends.console import EmailBackend


class RedactedConsoleBackend(EmailBackend):
    """Console output with the recipients and subject only: the body holds a patient's name, contacts and reason."""

    def write_message(self, message):
        body = message.body or ""
        self.stream.write(
            f"E-mail to {', '.join(message.to)} from {message.from_email}: “{message.subject}” "
            f"({len(body)} characters, not shown: patient details go only to the practice)\n"
        )
