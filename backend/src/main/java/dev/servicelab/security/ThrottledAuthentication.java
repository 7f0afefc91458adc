package dev.servicelab.security;

import org.springframework.security.authentication.AccountStatusUserDetailsChecker;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * Password sign-in (form and HTTP Basic) behind the {@link SignInThrottle}: a username or address
 * that used up its failures is refused before the password is hashed, so a flood of guesses costs
 * no bcrypt. An unknown username and a wrong password fail alike and take as long: Spring's
 * provider hashes the password against a dummy hash when the user does not exist, and account
 * status (disabled) is checked only after the password matched.
 */
final class ThrottledAuthentication implements AuthenticationManager {

    private final SignInThrottle throttle;
    private final AuthenticationManager passwords;

    ThrottledAuthentication(SignInThrottle throttle, UserDetailsService users, PasswordEncoder encoder) {
        this.throttle = throttle;
        DaoAuthenticationProvider provider = new DaoAuthenticationProvider(users);
        provider.setPasswordEncoder(encoder);
        provider.setPreAuthenticationChecks(user -> { });
        provider.setPostAuthenticationChecks(new AccountStatusUserDetailsChecker());
        this.passwords = new ProviderManager(provider);
    }

    @Override
    public Authentication authenticate(Authentication request) throws AuthenticationException {
        String username = request.getName();
        String address = request.getDetails() instanceof WebAuthenticationDetails details ? details.getRemoteAddress() : "unknown";
        var wait = throttle.signInBlocked(address, username);
        if (wait.isPresent()) {
            throw new TooManyAttemptsException(wait.get());
        }
        try {
            Authentication result = passwords.authenticate(request);
            throttle.signInSucceeded(username);
            return result;
        } catch (BadCredentialsException e) {
            throttle.signInFailed(address, username);
            throw e;
        }
    }
}
