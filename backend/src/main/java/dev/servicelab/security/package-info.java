/**
 * Who is who and who may do what: accounts as identities ({@code Account}, {@code Role},
 * {@code AccountRepository}, {@code CurrentAccount}), sign-in (form, HTTP Basic, API tokens) and its
 * throttling, token scopes, and the access rules (which cohort a caller reaches, who may watch whose
 * terminal and traffic), plus per-account limits (live sockets, work in flight, request bodies).
 * Features depend on this package; it imports none of them (an architecture test holds that): what
 * it needs of a feature is an interface here that the feature implements ({@code CohortMembership}).
 * It may use {@code problem}.
 */
package dev.servicelab.security;
