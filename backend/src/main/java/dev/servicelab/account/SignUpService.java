package dev.servicelab.account;

import dev.servicelab.security.Role;
import dev.servicelab.security.ClientAddress;
import dev.servicelab.security.Account;
import dev.servicelab.security.SignInThrottle;
import dev.servicelab.security.SecurityConfiguration;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.web.authentication.session.ChangeSessionIdAuthenticationStrategy;
import org.springframework.security.web.authentication.session.CompositeSessionAuthenticationStrategy;
import org.springframework.security.web.authentication.session.SessionAuthenticationStrategy;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.csrf.CsrfAuthenticationStrategy;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Learners creating their own account (page and API): throttled per client address, with a cohort's
 * join code when one is given or required, and signed in at once in the caller's session, as a
 * successful sign-in would be (new session id, new CSRF token).
 */
@Service
public class SignUpService {

    /** The new learner, and the cohort they joined with their invitation (null without one). */
    public record SignedUp(Account account, String cohort) {
    }

    /** Thrown when the client address used up its sign-ups for now. */
    public static final class ThrottledException extends RuntimeException {
        private final Duration retryAfter;

        ThrottledException(Duration retryAfter) {
            super(SignInThrottle.message(retryAfter));
            this.retryAfter = retryAfter;
        }

        public Duration retryAfter() {
            return retryAfter;
        }
    }

    private final AccountService accounts;
    private final Invitations invitations;
    private final AccountProperties properties;
    private final SignInThrottle throttle;
    private final ClientAddress clientAddress;
    private final UserDetailsService users;
    private final TransactionTemplate transaction;
    private final SecurityContextRepository contexts = new HttpSessionSecurityContextRepository();
    private final SecurityContextHolderStrategy holder = SecurityContextHolder.getContextHolderStrategy();
    private final SessionAuthenticationStrategy sessionStrategy = new CompositeSessionAuthenticationStrategy(java.util.List.of(
            new ChangeSessionIdAuthenticationStrategy(), new CsrfAuthenticationStrategy(SecurityConfiguration.csrfTokens())));

    SignUpService(AccountService accounts, Invitations invitations, AccountProperties properties, SignInThrottle throttle,
            ClientAddress clientAddress, UserDetailsService users, TransactionTemplate transaction) {
        this.accounts = accounts;
        this.invitations = invitations;
        this.properties = properties;
        this.throttle = throttle;
        this.clientAddress = clientAddress;
        this.users = users;
        this.transaction = transaction;
    }

    public boolean enabled() {
        return properties.selfSignup();
    }

    public boolean requiresInvitation() {
        return properties.signupRequiresInvitation();
    }

    /**
     * Creates the learner (and joins the invitation's cohort in the same transaction, so a wrong code
     * leaves no account behind), then signs them in on this request's session.
     */
    public SignedUp signUp(String username, String displayName, String password, String code, HttpServletRequest request,
            HttpServletResponse response) {
        throttle.signUpAttempt(clientAddress.of(request)).ifPresent(wait -> {
            throw new ThrottledException(wait);
        });
        String invitation = code == null || code.isBlank() ? null : code.strip();
        if (invitation == null && properties.signupRequiresInvitation()) {
            throw new AccountService.InvalidAccountException(
                    "Sign-up on this server needs an invitation: enter the join code (or open the join link) your instructor gave you.");
        }
        SignedUp signedUp = transaction.execute(status -> {
            Account account = accounts.create(username, displayName, password, Role.LEARNER);
            return new SignedUp(account, invitation == null ? null : invitations.accept(account, invitation));
        });
        signIn(signedUp.account(), request, response);
        return signedUp;
    }

    private void signIn(Account account, HttpServletRequest request, HttpServletResponse response) {
        UserDetails user = users.loadUserByUsername(account.username());
        var authentication = UsernamePasswordAuthenticationToken.authenticated(user.getUsername(), null, user.getAuthorities());
        sessionStrategy.onAuthentication(authentication, request, response);
        SecurityContext context = holder.createEmptyContext();
        context.setAuthentication(authentication);
        holder.setContext(context);
        contexts.saveContext(context, request, response);
    }
}
