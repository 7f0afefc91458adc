/**
 * The traffic view: the cluster's Services and flows as a live picture, and "send N requests".
 * May use {@code live}, {@code sandbox}, {@code jobs}, {@code security} and {@code problem}.
 */
package dev.servicelab.traffic;
