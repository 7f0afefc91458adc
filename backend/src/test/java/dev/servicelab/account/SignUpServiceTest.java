package dev.servicelab.account;

import dev.servicelab.security.Role;
import dev.servicelab.security.ClientAddress;
import dev.servicelab.security.Account;
import dev.servicelab.security.SignInThrottle;
import dev.servicelab.security.SignInProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sign-up's rules that depend on settings the shared test platform does not use: an invitation
 * required, and the per-address limit. (SignUpTest covers sign-up end to end over HTTP.)
 */
class SignUpServiceTest {

    private final AccountService accounts = mock(AccountService.class);
    private final Invitations invitations = mock(Invitations.class);
    private final UserDetailsService users = username -> User.withUsername(username).password("{noop}x").roles("LEARNER").build();
    private final Account ada = new Account(7, "ada", "Ada", Role.LEARNER, true, Instant.now());

    private SignUpService service(boolean requiresInvitation, int signupsPerAddress) {
        AccountProperties properties = new AccountProperties("admin", "", true, requiresInvitation);
        SignInProperties signIn = new SignInProperties(false,
                new SignInProperties.Limits(Duration.ofMinutes(15), 10, 100, signupsPerAddress));
        return new SignUpService(accounts, invitations, properties,
                new SignInThrottle(signIn.limits(), Clock.systemUTC()), new ClientAddress(signIn), users,
                new TransactionTemplate(mock(PlatformTransactionManager.class)));
    }

    private static MockHttpServletRequest request() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/signup");
        request.setRemoteAddr("192.0.2.10");
        return request;
    }

    @Test
    void whenAnInvitationIsRequiredASignUpWithoutACodeCreatesNoAccount() {
        assertThatThrownBy(() -> service(true, 30).signUp("ada", "Ada", "password-1", " ", request(), new MockHttpServletResponse()))
                .isInstanceOf(AccountService.InvalidAccountException.class).hasMessageContaining("join code");
        verify(accounts, never()).create(any(), any(), any(), any());
    }

    @Test
    void whenAnInvitationIsRequiredASignUpWithACodeJoinsItsCohortAndSignsIn() {
        when(accounts.create("ada", "Ada", "password-1", Role.LEARNER)).thenReturn(ada);
        when(invitations.accept(ada, "K7MQ2XWP")).thenReturn("Networking");
        MockHttpServletRequest request = request();

        SignUpService.SignedUp signedUp = service(true, 30).signUp("ada", "Ada", "password-1", "K7MQ2XWP", request,
                new MockHttpServletResponse());

        assertThat(signedUp.cohort()).isEqualTo("Networking");
        SecurityContext context = (SecurityContext) request.getSession()
                .getAttribute(HttpSessionSecurityContextRepository.SPRING_SECURITY_CONTEXT_KEY);
        assertThat(context.getAuthentication().isAuthenticated()).isTrue();
        assertThat(context.getAuthentication().getName()).isEqualTo("ada");
    }

    @Test
    void aBadInvitationCodeFailsTheSignUp() {
        when(accounts.create("ada", "Ada", "password-1", Role.LEARNER)).thenReturn(ada);
        when(invitations.accept(ada, "NOPE")).thenThrow(new AccountService.InvalidAccountException("No cohort has the join code 'NOPE'."));
        MockHttpServletRequest request = request();
        assertThatThrownBy(() -> service(true, 30).signUp("ada", "Ada", "password-1", "NOPE", request, new MockHttpServletResponse()))
                .hasMessageContaining("NOPE");
        assertThat(request.getSession(false)).as("not signed in").isNull();
    }

    @Test
    void anAddressPastItsSignUpsIsToldToWait() {
        when(accounts.create(any(), any(), any(), any())).thenReturn(ada);
        SignUpService service = service(false, 1);
        service.signUp("ada", "Ada", "password-1", null, request(), new MockHttpServletResponse());
        assertThatThrownBy(() -> service.signUp("bob", "Bob", "password-1", null, request(), new MockHttpServletResponse()))
                .isInstanceOf(SignUpService.ThrottledException.class)
                .satisfies(e -> assertThat(((SignUpService.ThrottledException) e).retryAfter()).isPositive());
    }
}
