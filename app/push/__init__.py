"""Push delivery to a patient's devices (Web Push and FCM) and the message it carries."""
