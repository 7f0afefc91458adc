package dev.servicelab.security;

import dev.servicelab.problem.Problems;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AuthenticationDetailsSource;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.security.web.authentication.www.BasicAuthenticationEntryPoint;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;

/**
 * Pages sign in with a form and a session; the API accepts that session (browser code on our own
 * pages) or credentials in the Authorization header (scripts, graders). Cookie-borne requests need
 * a CSRF token; requests carrying an Authorization header cannot be forged by another site, so they
 * are exempt. API errors, including 401 and 403, are RFC 9457 problem details. Password sign-ins of
 * both kinds go through {@link ThrottledAuthentication}, so failed ones are limited alike.
 */
@Configuration(proxyBeanMethods = false)
@EnableMethodSecurity
public class SecurityConfiguration {

    /** The CSRF token lives in a cookie that our pages' scripts read; every chain (and sign-up) uses the same. */
    public static CsrfTokenRepository csrfTokens() {
        return CookieCsrfTokenRepository.withHttpOnlyFalse();
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    SignInThrottle signInThrottle(SignInProperties properties) {
        return new SignInThrottle(properties.limits(), Clock.systemUTC());
    }

    /** Not a bean, so that Spring Boot keeps its own defaults out of the way; both chains get this one. */
    private static AuthenticationManager passwords(SignInThrottle throttle, UserDetailsService users, PasswordEncoder encoder) {
        return new ThrottledAuthentication(throttle, users, encoder);
    }

    /** The client address as the rate limits see it (behind a trusted proxy: from X-Forwarded-For). */
    private static AuthenticationDetailsSource<HttpServletRequest, WebAuthenticationDetails> details(ClientAddress address) {
        return request -> {
            var session = request.getSession(false);
            return new WebAuthenticationDetails(address.of(request), session == null ? null : session.getId());
        };
    }

    @Bean
    @Order(1)
    SecurityFilterChain api(HttpSecurity http, Problems problems, ApiTokenService tokens, SignInThrottle throttle,
            UserDetailsService users, PasswordEncoder encoder, ClientAddress address, TooManyAttempts tooMany) throws Exception {
        return http.securityMatcher("/api/**")
                .authenticationManager(passwords(throttle, users, encoder))
                .addFilterBefore(tokens.filter(), BasicAuthenticationFilter.class)
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers(HttpMethod.POST, "/api/v1/signup").permitAll()
                        .anyRequest().authenticated())
                .httpBasic(basic -> basic.authenticationEntryPoint(tooMany.entryPoint(problems.entryPoint()))
                        .authenticationDetailsSource(details(address)))
                .csrf(csrf -> csrf.csrfTokenRepository(csrfTokens())
                        .csrfTokenRequestHandler(new CsrfTokenRequestAttributeHandler())
                        .ignoringRequestMatchers(request -> request.getHeader("Authorization") != null))
                .exceptionHandling(ex -> ex.authenticationEntryPoint(problems.entryPoint())
                        .accessDeniedHandler(problems.accessDenied()))
                .build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain pages(HttpSecurity http, SignInThrottle throttle, UserDetailsService users, PasswordEncoder encoder,
            ClientAddress address, TooManyAttempts tooMany) throws Exception {
        BasicAuthenticationEntryPoint basic = new BasicAuthenticationEntryPoint();
        basic.setRealmName("ServiceLab");
        return http
                .authenticationManager(passwords(throttle, users, encoder))
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers("/login", TooManyAttempts.PAGE, "/signup", "/assets/**", "/favicon.ico", "/error").permitAll()
                        .requestMatchers("/actuator/health/**", "/actuator/info").permitAll()
                        .requestMatchers("/v3/api-docs/**").permitAll()
                        .requestMatchers("/actuator/**", "/admin/**").hasRole(Role.ADMIN.name())
                        .anyRequest().authenticated())
                .formLogin(form -> form.loginPage("/login").defaultSuccessUrl("/", false)
                        .failureHandler(tooMany.formFailure()).authenticationDetailsSource(details(address)).permitAll())
                .logout(logout -> logout.logoutSuccessUrl("/login?signedOut"))
                .csrf(csrf -> csrf.csrfTokenRepository(csrfTokens())
                        .csrfTokenRequestHandler(new CsrfTokenRequestAttributeHandler()))
                .httpBasic(httpBasic -> httpBasic.authenticationEntryPoint(tooMany.entryPoint(basic))
                        .authenticationDetailsSource(details(address)))
                .exceptionHandling(ex -> ex.defaultAuthenticationEntryPointFor(
                        (req, res, e) -> res.sendError(HttpStatus.UNAUTHORIZED.value()),
                        request -> request.getRequestURI().startsWith("/actuator")))
                .build();
    }
}
