/** Stage 4: judge generations (and compare judges), each judgment with its raw evidence. */
package org.embench.stage.judge;
