/**
 * The sample application: a small key-value and bank web application whose instances keep
 * their Redis highly available with redis-ha.
 */
@NullMarked
package io.redisha.sample;

import org.jspecify.annotations.NullMarked;
