/**
 * Creating accounts: sign-up (self or by invitation), the sign-in and sign-up pages, the first admin,
 * the account API. Identities themselves (Account, Role, their table) belong to {@code security}.
 * May use {@code security} and {@code problem}; cohorts offer invitations through {@link
 * dev.servicelab.account.Invitations}, which this package declares.
 */
package dev.servicelab.account;
