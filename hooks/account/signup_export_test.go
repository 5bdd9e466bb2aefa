package account

// WaitSignUpMail waits for sign-up emails on their way.
func WaitSignUpMail() { mailing.Wait() }
