/**
 * Access rules shared by features: who may watch whose terminal and traffic. Features depend on
 * this package; it depends only on accounts, cohorts' membership table and the sandbox ledger.
 */
package dev.servicelab.security;
